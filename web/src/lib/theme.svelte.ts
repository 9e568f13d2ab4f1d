export const THEMES = ['system', 'light', 'dark'] as const;
export type ThemeChoice = (typeof THEMES)[number];
const STORAGE_KEY = 'llm-trainer.theme';

function readSaved(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}

/** Light, dark, or follow the system; `system` leaves the choice to prefers-color-scheme in CSS. */
class Theme {
  choice = $state<ThemeChoice>('system');

  init(): void {
    const saved = readSaved();
    this.choice = (THEMES as readonly string[]).includes(saved ?? '') ? (saved as ThemeChoice) : 'system';
    this.#apply();
  }

  set(choice: ThemeChoice): void {
    this.choice = choice;
    try {
      localStorage.setItem(STORAGE_KEY, choice);
    } catch {
      // The choice still applies to this visit.
    }
    this.#apply();
  }

  #apply(): void {
    const root = document.documentElement;
    if (this.choice === 'system') delete root.dataset.theme;
    else root.dataset.theme = this.choice;
  }
}

export const theme = new Theme();
