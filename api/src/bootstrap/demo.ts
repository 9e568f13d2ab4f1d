import { randomUUID } from 'node:crypto';
import { buildContext } from '../context.js';
import { rolePermissions } from '../modules/auth/viewer.js';
import { Upload } from '../modules/dataset/upload.entity.js';
import { Project } from '../modules/project/project.entity.js';
import { Role } from '../modules/role/role.entity.js';
import { User } from '../modules/user/user.entity.js';
import type { Runtime } from '../app.js';

/** Forty short bilingual question/answer chats: enough for the tiny CPU demo model to train on. */
function demoRows(): string {
  const rows = [];
  for (let i = 1; i <= 40; i++) {
    const zh = i % 2 === 0;
    rows.push({
      messages: [
        { role: 'system', content: zh ? '你是一个乐于助人的数学助手。' : 'You are a helpful maths assistant.' },
        { role: 'user', content: zh ? `${i} 加 ${i} 等于多少？` : `What is ${i} plus ${i}?` },
        { role: 'assistant', content: zh ? `${i} 加 ${i} 等于 ${2 * i}。` : `${i} plus ${i} is ${2 * i}.` },
      ],
    });
  }
  return rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
}

/**
 * On a fresh installation (no project yet), a "Demo" project owned by the first administrator with a
 * small chat dataset, processed like any upload, so the tiny demo model can be fine-tuned at once.
 */
export async function seedDemoData(runtime: Runtime) {
  const em = runtime.orm.em.fork();
  if (await em.count(Project)) return;
  const admin = await em.findOne(
    User,
    { roles: await em.findOneOrFail(Role, { name: 'ADMIN' }) },
    { populate: ['roles'], orderBy: { createdAt: 'asc' } },
  );
  if (!admin) return;
  const ctx = buildContext(runtime, {
    requestId: 'demo-seed',
    log: runtime.log,
    em,
    ip: null,
    userAgent: null,
    viewer: { user: admin, permissions: rolePermissions(admin), sessionId: null, apiTokenId: null, isWorker: false },
    authError: null,
  });
  const project = await ctx.services.projects.create({
    name: 'Demo',
    description: 'A tiny Qwen3 (random weights) fine-tunes on CPU in a minute: try the run planner.',
  });
  const content = demoRows();
  const { hash: sha256 } = await runtime.storage.uploads.put(Buffer.from(content));
  const upload = Object.assign(new Upload(), {
    id: randomUUID(),
    project,
    userId: admin.id,
    filename: 'demo-chat.jsonl',
    size: Buffer.byteLength(content),
    sha256,
    completedAt: new Date(),
  });
  await em.persist(upload).flush();
  const dataset = await ctx.services.datasets.create({ projectId: project.id, name: '中英算术问答 (demo)' });
  await ctx.services.datasets.createVersion({
    datasetId: dataset.id,
    uploadId: upload.id,
    excludeInvalidRows: false,
    message: 'demo data',
  } as never);
  runtime.log.info({ projectId: project.id }, 'demo project created');
}
