import { randomBytes } from 'node:crypto';
import type { TestApp } from './test-app.js';
import { ADMIN } from './test-app.js';

export const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { accessToken refreshToken expiresAt user { id email permissions } }
}`;

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
}

export async function login(app: TestApp, email: string, password: string): Promise<TestUser> {
  const res = await app.gql(LOGIN, { input: { email, password } });
  if (!res.data?.login) throw new Error(`login failed: ${JSON.stringify(res.errors)}`);
  const { accessToken, refreshToken, user } = res.data.login;
  return { id: user.id, email, password, token: accessToken, refreshToken };
}

export const loginAdmin = (app: TestApp) => login(app, ADMIN.email, ADMIN.password);

/** Creates a user with the given global roles (through the admin API) and signs them in. */
export async function createUser(app: TestApp, roles: string[] = ['MEMBER'], name = 'user'): Promise<TestUser> {
  const admin = await loginAdmin(app);
  const email = `${name}-${randomBytes(4).toString('hex')}@example.com`;
  const password = `pw-${randomBytes(8).toString('hex')}`;
  const res = await app.gql(
    `mutation($input: CreateUserInput!) { createUser(input: $input) { id } }`,
    { input: { email, password, displayName: name, roles } },
    admin.token,
  );
  if (!res.data?.createUser) throw new Error(`createUser failed: ${JSON.stringify(res.errors)}`);
  return login(app, email, password);
}

export async function createProject(app: TestApp, token: string, name = 'Project'): Promise<string> {
  const res = await app.gql(
    `mutation($input: CreateProjectInput!) { createProject(input: $input) { id } }`,
    { input: { name } },
    token,
  );
  if (!res.data?.createProject) throw new Error(`createProject failed: ${JSON.stringify(res.errors)}`);
  return res.data.createProject.id;
}

/** A personal API token of `user` (signed in with a password) carrying exactly `scopes`. */
export async function createApiToken(app: TestApp, user: TestUser, scopes: string[], name = 'script'): Promise<string> {
  const res = await app.gql(
    `mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token } }`,
    { input: { name, scopes } },
    user.token,
  );
  if (!res.data?.createApiToken) throw new Error(`createApiToken failed: ${JSON.stringify(res.errors)}`);
  return res.data.createApiToken.token;
}
