import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

export interface Gpu {
  index: number;
  name: string;
  memoryMb: number;
}

/** The machine's NVIDIA GPUs (nvidia-smi), or none when there is no driver. */
export async function detectGpus(): Promise<Gpu[]> {
  try {
    const { stdout } = await promisify(execFile)(
      'nvidia-smi',
      ['--query-gpu=index,name,memory.total', '--format=csv,noheader,nounits'],
      { timeout: 10_000 },
    );
    return stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [index, name, memory] = line.split(',').map((s) => s.trim());
        return { index: Number(index), name, memoryMb: Number(memory) };
      });
  } catch {
    return [];
  }
}
