import { execFile } from 'node:child_process';
import { statfs } from 'node:fs/promises';
import { cpus, freemem, totalmem } from 'node:os';
import { promisify } from 'node:util';

/** A type alias, not an interface, so that it passes as the JSON object it travels as (`workerHeartbeat`). */
export type SystemSample = {
  cpuPercent: number;
  memoryUsedMb: number;
  memoryTotalMb: number;
  diskUsedGb: number;
  diskTotalGb: number;
  gpus: {
    index: number;
    utilization: number;
    memoryUsedMb: number;
    memoryTotalMb: number;
    temperatureC: number | null;
    powerW: number | null;
  }[];
};

const cpuTimes = () =>
  cpus().reduce(
    (t, c) => ({ idle: t.idle + c.times.idle, total: t.total + Object.values(c.times).reduce((a, b) => a + b, 0) }),
    { idle: 0, total: 0 },
  );

/** Samples the machine: CPU % since the previous sample, RAM, the work disk, and NVIDIA GPUs. */
export class SystemSampler {
  private last = cpuTimes();

  constructor(private readonly workDir: string) {}

  async sample(): Promise<SystemSample> {
    const now = cpuTimes();
    const total = now.total - this.last.total;
    const cpuPercent = total > 0 ? (100 * (total - (now.idle - this.last.idle))) / total : 0;
    this.last = now;
    const disk = await statfs(this.workDir).catch(() => null);
    const gb = (blocks: number) => (disk ? (blocks * disk.bsize) / 1024 ** 3 : 0);
    return {
      cpuPercent: Math.round(cpuPercent * 10) / 10,
      memoryUsedMb: Math.round((totalmem() - freemem()) / 1024 ** 2),
      memoryTotalMb: Math.round(totalmem() / 1024 ** 2),
      diskUsedGb: disk ? Math.round(gb(disk.blocks - disk.bfree) * 10) / 10 : 0,
      diskTotalGb: disk ? Math.round(gb(disk.blocks) * 10) / 10 : 0,
      gpus: await gpuSamples(),
    };
  }
}

async function gpuSamples(): Promise<SystemSample['gpus']> {
  try {
    const { stdout } = await promisify(execFile)(
      'nvidia-smi',
      [
        '--query-gpu=index,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw',
        '--format=csv,noheader,nounits',
      ],
      { timeout: 5000 },
    );
    const num = (s: string) => (Number.isFinite(Number(s)) ? Number(s) : null);
    return stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const [index, util, used, total, temp, power] = line.split(',').map((s) => s.trim());
        return {
          index: Number(index),
          utilization: num(util) ?? 0,
          memoryUsedMb: num(used) ?? 0,
          memoryTotalMb: num(total) ?? 0,
          temperatureC: num(temp),
          powerW: num(power),
        };
      });
  } catch {
    return [];
  }
}
