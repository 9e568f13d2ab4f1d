// The deployment files are checked offline, without a Docker daemon or a cluster: Dockerfiles with
// dockerfile-utils' linter, compose and manifests with yamllint (.yamllint), both kustomize overlays
// rendered by kubectl and every object validated against the Kubernetes schemas (kubernetes-models),
// then the properties a platform engineer relies on.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { validate as lintDockerfile } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig, repoRoot } from '../../src/config.js';

const docker = join(repoRoot, 'docker');
const DOCKERFILES = ['api.Dockerfile', 'worker-cpu.Dockerfile', 'worker-cuda.Dockerfile'];

/** A rendered Kubernetes object, loosely typed: the schemas check the shapes, these tests the intent. */
type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; [k: string]: any }; [k: string]: any };

/** Runs a tool this test needs from the machine; says how to get it when it is missing. */
function tool(cmd: string, args: string[], install: string) {
  const r = spawnSync(cmd, args, { cwd: repoRoot, encoding: 'utf8' });
  if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT')
    throw new Error(`${cmd} is not installed on this machine: ${install}`);
  return r;
}

function render(overlay: string): K8sObject[] {
  const r = tool(
    'kubectl',
    ['kustomize', `docker/k8s/overlays/${overlay}`],
    'install kubectl (1.32 renders these overlays offline with `kubectl kustomize`)',
  );
  if (r.status !== 0) throw new Error(`kubectl kustomize docker/k8s/overlays/${overlay} failed:\n${r.stderr}`);
  return parseAllDocuments(r.stdout).map((d) => d.toJSON() as K8sObject);
}

/** The pod template of a workload (Deployment or Job). */
const podSpec = (o: K8sObject) => o.spec.template.spec;
const workloads = (objects: K8sObject[]) => objects.filter((o) => ['Deployment', 'Job'].includes(o.kind));
const find = (objects: K8sObject[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} rendered`);
  return o;
};

/** Validates against kubernetes-models' schema for the object's apiVersion and kind; returns the error. */
async function schemaError(o: K8sObject): Promise<string | null> {
  const mod = (await import(`kubernetes-models/${o.apiVersion}/${o.kind}`)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = mod[o.kind];
  if (!Model) return `kubernetes-models has no ${o.apiVersion} ${o.kind}`;
  try {
    new Model(o).validate();
    return null;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

describe('container images', () => {
  it.each(DOCKERFILES)('%s lints clean with dockerfile-utils', (file) => {
    const problems = lintDockerfile(readFileSync(join(docker, file), 'utf8')).map(
      (d) => `${file}:${d.range.start.line + 1}: ${d.message}`,
    );
    expect(problems).toEqual([]);
  });

  it('the linter does catch a broken Dockerfile (the check above is not vacuous)', () => {
    expect(lintDockerfile('FROM node:22\nHEALTHCHECK --interval=1x CMD true\nEXPOSE abc\n').length).toBeGreaterThan(0);
  });

  it.each(DOCKERFILES)('%s runs as a numeric non-root user, with a HEALTHCHECK, in its final stage', (file) => {
    const stages = readFileSync(join(docker, file), 'utf8').split(/^FROM /m);
    const final = stages[stages.length - 1];
    const users = [...final.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    // Numeric, so that Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
    expect(users.at(-1)).toMatch(/^[1-9]\d*(:\d+)?$/);
    expect(final).toMatch(/^HEALTHCHECK\b(?:.*\\\n)*.*\bCMD\b/m); // continued lines included
    expect(final).toMatch(/^CMD \[/m);
  });

  it('the CUDA worker installs the pinned trainer requirements on a PyTorch CUDA base of the same torch', () => {
    const file = readFileSync(join(docker, 'worker-cuda.Dockerfile'), 'utf8');
    const pinned = /^torch==(\S+)$/m.exec(readFileSync(join(repoRoot, 'workers/trainer/requirements.txt'), 'utf8'))![1];
    expect(file).toContain(`ARG PYTORCH_IMAGE=pytorch/pytorch:${pinned}-cuda`);
    expect(file).toMatch(/pip install .*-r \/tmp\/runtime\.txt/);
    expect(file).toContain('workers/agent/src');
  });

  it('the build context leaves out dependencies, local data and secrets', () => {
    const ignored = readFileSync(join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    for (const entry of ['**/node_modules', '.data', '.env', '.git', '.tools']) expect(ignored).toContain(entry);
  });
});

describe('yamllint', () => {
  it('passes compose.yaml and every Kubernetes manifest (.yamllint)', () => {
    const files = ['compose.yaml', ...yamlFiles(join(docker, 'k8s'))].map((f) =>
      relative(repoRoot, f.startsWith('/') ? f : join(docker, f)),
    );
    expect(files.length).toBeGreaterThan(10);
    const r = tool(
      'yamllint',
      ['--strict', '-c', '.yamllint', '-f', 'parsable', ...files],
      'apt-get install -y yamllint (.ci/run does this on CI)',
    );
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? yamlFiles(join(dir, e.name)) : /\.ya?ml$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('docker/compose.yaml', () => {
  const compose = parse(readFileSync(join(docker, 'compose.yaml'), 'utf8'), { merge: true });
  const services = compose.services as Record<string, any>;

  it('has PostgreSQL, Redis, MinIO (and its bucket), a migration, two API replicas behind a proxy, and a CPU worker', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'migrate',
      'minio',
      'minio-init',
      'postgres',
      'proxy',
      'redis',
      'worker',
    ]);
    expect(services.api.deploy.replicas).toBeGreaterThanOrEqual(2);
    expect(services.api.environment.RUN_MIGRATIONS).toBe('false');
    expect(services.api.depends_on.migrate.condition).toBe('service_completed_successfully');
    expect(services.worker.build.dockerfile).toBe('docker/worker-cpu.Dockerfile');
  });

  it('gives the API a configuration it accepts: storage in the MinIO bucket that minio-init makes', () => {
    const env = Object.fromEntries(
      Object.entries(services.api.environment as Record<string, string>).map(([k, v]) => [
        k,
        // `${NAME:-default}` → the default; `${NAME:?message}` (a secret from docker/.env) → a stand-in.
        v.replace(/^\$\{(\w+):([?-])([^}]*)\}$/, (_m, name, op, rest) =>
          op === '-' ? rest : name === 'JWT_SECRET' ? 'x'.repeat(32) : 'set-in-dot-env',
        ),
      ]),
    );
    const storage = loadConfig(env).storage;
    expect(storage).toMatchObject({
      kind: 's3',
      bucket: 'llm-trainer',
      endpoint: 'http://minio:9000',
      forcePathStyle: true,
    });
    expect(services['minio-init'].command.join(' ')).toContain(
      `mc mb --ignore-existing local/${storage.kind === 's3' && storage.bucket}`,
    );
    expect(services.api.depends_on['minio-init'].condition).toBe('service_completed_successfully');
  });

  it('commits no secret values: each comes from the environment or fails loudly', () => {
    for (const name of ['JWT_SECRET', 'ADMIN_PASSWORD', 'S3_SECRET_ACCESS_KEY'])
      expect(services.api.environment[name]).toMatch(/^\$\{\w+:\?/);
    expect(services.postgres.environment.POSTGRES_PASSWORD).toMatch(/^\$\{\w+:\?/);
  });

  it('the proxy upgrades WebSockets and keeps idle subscriptions open for an hour', () => {
    const conf = readFileSync(join(docker, 'nginx.conf'), 'utf8');
    expect(conf).toMatch(/proxy_set_header Upgrade \$http_upgrade;/);
    expect(conf).toMatch(/proxy_set_header Connection \$connection_upgrade;/);
    expect(conf).toMatch(/proxy_read_timeout 3600s;/);
    expect(services.proxy.volumes[0]).toMatch(/^\.\/nginx\.conf:/);
  });
});

for (const overlay of ['dev', 'prod']) {
  describe(`kubernetes overlay ${overlay}`, () => {
    // Rendered once; a render that fails (kubectl missing, a broken kustomization) fails every test here.
    let rendered: K8sObject[] | undefined;
    const objectsOf = () => (rendered ??= render(overlay));

    it('renders with kubectl kustomize, every object valid against the Kubernetes schemas', async () => {
      const objects = objectsOf();
      expect(objects.length).toBeGreaterThan(10);
      const errors: string[] = [];
      for (const o of objects) {
        const error = await schemaError(o);
        if (error) errors.push(`${o.kind}/${o.metadata.name}: ${error}`);
      }
      expect(errors).toEqual([]);
      const namespaces = new Set(objects.filter((o) => o.kind !== 'Namespace').map((o) => o.metadata.namespace));
      expect(namespaces.size).toBe(1);
    });

    it('probes the API: readiness on /health/ready, liveness on /health/live', () => {
      const objects = objectsOf();
      const api = podSpec(find(objects, 'Deployment', 'llm-trainer-api')).containers[0];
      expect(api.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(api.livenessProbe.httpGet.path).toBe('/health/live');
      expect(api.readinessProbe.httpGet.port).toBe(api.ports[0].name);
      const config = find(objects, 'ConfigMap', 'llm-trainer-api');
      expect(config.data.RUN_MIGRATIONS).toBe('false');
    });

    it('runs the migration Job (migrations + first administrator) with the API image', () => {
      const objects = objectsOf();
      const job = find(objects, 'Job', 'llm-trainer-migrate');
      const migrate = podSpec(job).containers[0];
      expect(migrate.command).toEqual(['node', '--import', 'tsx', 'api/src/scripts/migrate.ts']);
      expect(migrate.image).toBe(podSpec(find(objects, 'Deployment', 'llm-trainer-api')).containers[0].image);
      expect(podSpec(job).restartPolicy).toBe('Never');
    });

    it('the GPU worker requests nvidia.com/gpu and tolerates GPU nodes', () => {
      const objects = objectsOf();
      const worker = podSpec(find(objects, 'Deployment', 'llm-trainer-worker-gpu'));
      expect(Number(worker.containers[0].resources.limits['nvidia.com/gpu'])).toBeGreaterThanOrEqual(1);
      expect(worker.containers[0].resources.requests['nvidia.com/gpu']).toEqual(
        worker.containers[0].resources.limits['nvidia.com/gpu'],
      );
      expect(worker.tolerations).toContainEqual(expect.objectContaining({ key: 'nvidia.com/gpu' }));
    });

    it('carries no secret values: no Secret object, no inline value for a secret variable', () => {
      const objects = objectsOf();
      expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
      const secretish = /SECRET|PASSWORD|TOKEN|DATABASE_URL|REDIS_URL|ACCESS_KEY/;
      for (const w of workloads(objects))
        for (const c of podSpec(w).containers)
          for (const env of c.env ?? [])
            if (secretish.test(env.name)) expect(env, `${w.metadata.name} ${env.name}`).toHaveProperty('valueFrom');
      for (const name of ['JWT_SECRET', 'ADMIN_PASSWORD', 'DATABASE_URL'])
        expect(Object.keys(find(objects, 'ConfigMap', 'llm-trainer-api').data)).not.toContain(name);
    });

    it('lets only the API pods reach the workers, and only on the inference port', () => {
      const objects = objectsOf();
      const worker = podSpec(find(objects, 'Deployment', 'llm-trainer-worker-gpu'));
      const workerLabels = find(objects, 'Deployment', 'llm-trainer-worker-gpu').spec.template.metadata.labels;
      const apiLabels = find(objects, 'Deployment', 'llm-trainer-api').spec.template.metadata.labels;
      const policies = objects.filter(
        (o) =>
          o.kind === 'NetworkPolicy' &&
          Object.entries(o.spec.podSelector.matchLabels).every(([k, v]) => workerLabels[k] === v) &&
          o.spec.policyTypes.includes('Ingress'),
      );
      expect(policies).toHaveLength(1);
      const rules = policies[0].spec.ingress;
      expect(rules).toHaveLength(1);
      expect(rules[0].from).toHaveLength(1);
      const from = rules[0].from[0];
      expect(from.namespaceSelector).toBeUndefined();
      expect(Object.entries(from.podSelector.matchLabels).every(([k, v]) => apiLabels[k] === v)).toBe(true);
      expect(rules[0].ports).toEqual([{ protocol: 'TCP', port: worker.containers[0].ports[0].name }]);
      expect(worker.containers[0].ports[0]).toEqual({ name: 'inference', containerPort: 8000 });
    });

    it('the Ingress keeps WebSocket subscriptions open (timeouts of an hour) and streams uploads', () => {
      const objects = objectsOf();
      const ingress = find(objects, 'Ingress', 'llm-trainer');
      const a = ingress.metadata.annotations;
      expect(Number(a['nginx.ingress.kubernetes.io/proxy-read-timeout'])).toBeGreaterThanOrEqual(3600);
      expect(Number(a['nginx.ingress.kubernetes.io/proxy-send-timeout'])).toBeGreaterThanOrEqual(3600);
      expect(a['nginx.ingress.kubernetes.io/proxy-body-size']).toBe('0');
      const backend = ingress.spec.rules[0].http.paths[0].backend.service;
      expect(find(objects, 'Service', backend.name).spec.ports.map((p: any) => p.name)).toContain(backend.port.name);
    });

    it('every pod runs as non-root, without privilege escalation, all capabilities dropped', () => {
      const objects = objectsOf();
      for (const w of workloads(objects)) {
        const spec = podSpec(w);
        expect(spec.securityContext.runAsNonRoot, w.metadata.name).toBe(true);
        expect(spec.securityContext.runAsUser, w.metadata.name).toBeGreaterThan(0);
        expect(spec.automountServiceAccountToken ?? false).toBe(false);
        for (const c of spec.containers) {
          expect(c.securityContext.allowPrivilegeEscalation, c.name).toBe(false);
          expect(c.securityContext.capabilities.drop, c.name).toEqual(['ALL']);
          expect(c.image, c.name).toMatch(/^registry\.example\.com\/llm-trainer\/[\w-]+:[\w.-]+$/);
        }
      }
    });

    it('drains and scales the API safely: PodDisruptionBudget, autoscaler, no unavailable replica in a rollout', () => {
      const objects = objectsOf();
      const api = find(objects, 'Deployment', 'llm-trainer-api');
      const hpa = find(objects, 'HorizontalPodAutoscaler', 'llm-trainer-api');
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'llm-trainer-api' });
      expect(hpa.spec.minReplicas).toBe(api.spec.replicas);
      expect(find(objects, 'PodDisruptionBudget', 'llm-trainer-api').spec.selector.matchLabels).toEqual(
        api.spec.selector.matchLabels,
      );
      expect(api.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
      if (overlay === 'prod') {
        expect(api.spec.replicas).toBeGreaterThanOrEqual(2);
        expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      }
    });
  });
}

describe('the schema check', () => {
  it('refuses an invalid object (it is not vacuous)', async () => {
    const bad = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { replicas: 'two' } };
    expect(await schemaError(bad as K8sObject)).toMatch(/replicas/);
  });
});
