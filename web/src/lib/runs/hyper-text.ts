import { t } from '$lib/i18n';
import { HYPER_FIELDS, type HyperField, type HyperName, type HyperValue, type HyperValues } from './plan';

/** A value as the planner shows it: a choice's label, yes or no, the number as is; null is "none". */
export function hyperValueText(field: Pick<HyperField, 'name' | 'kind'>, value: HyperValue): string {
  if (value === null) return t('plan.hyper.none');
  if (field.kind === 'bool') return t(value === true || value === 'true' ? 'models.yes' : 'models.no');
  if (field.kind === 'choice') return t(`plan.hyper.options.${field.name}.${value}`);
  return String(value);
}

/** "Learning rate 1e-05, Epochs 2": each named field with its value, in the reader's language. */
export function hyperSummary(values: HyperValues, names: readonly HyperName[]): string {
  return HYPER_FIELDS.filter((f) => names.includes(f.name))
    .map((f) =>
      t('plan.presets.item', {
        label: t(`plan.hyper.fields.${f.name}.label`),
        value: hyperValueText(f, values[f.name]),
      }),
    )
    .join(t('plan.presets.separator'));
}
