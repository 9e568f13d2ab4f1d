/**
 * The permission catalogue. Permissions are named strings; roles are named sets of them.
 * Later features add their permissions here so the RBAC matrix test covers them.
 */
export const PERMISSIONS = {
  'user:manage': 'Create, disable and assign roles to users; manage roles',
  'project:create': 'Create projects',
  'project:manage': 'Rename and archive projects and manage their members (as the project owner)',
  'dataset:read': 'Read datasets of projects one is a member of',
  'dataset:write': 'Upload and edit datasets of projects one is a member of',
  'run:read': 'Read training runs, their metrics and logs in projects one is a member of',
  'run:create': 'Start training runs',
  'run:cancel': 'Cancel training runs',
  'model:read': 'Read models and evaluations',
  'evaluation:create': 'Start and cancel evaluations of models in projects one is a member of',
  'model:deploy': 'Export and deploy models',
  'worker:manage': 'Register and manage GPU workers',
  'worker:run': 'Act as a GPU worker machine (worker tokens only)',
  'audit:read': 'Read the audit log',
} as const;

export type Permission = keyof typeof PERMISSIONS;
export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export const isPermission = (value: string): value is Permission => value in PERMISSIONS;

/** Built-in global roles, created by the first migration run and kept in sync at start. */
export const BUILT_IN_ROLES: Record<string, { description: string; permissions: Permission[] }> = {
  ADMIN: {
    description: 'Everything, including user and role management',
    permissions: ALL_PERMISSIONS.filter((p) => p !== 'worker:run'),
  },
  MEMBER: {
    description: 'Creates projects, works with data, runs and models',
    permissions: [
      'project:create',
      'project:manage',
      'dataset:read',
      'dataset:write',
      'run:read',
      'run:create',
      'run:cancel',
      'model:read',
      'model:deploy',
      'evaluation:create',
    ],
  },
  VIEWER: { description: 'Reads what their projects hold', permissions: ['dataset:read', 'run:read', 'model:read'] },
  WORKER: { description: 'GPU worker machines: their tokens call worker operations only', permissions: ['worker:run'] },
};
