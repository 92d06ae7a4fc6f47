/**
 * Who may do what. Analysts read; officers work cases and record approval steps; supervisors do
 * all an officer does and confirm four-eyes decisions; admins manage users (and read). Admins do
 * not decide cases: user management and case decisions stay in different hands.
 */
import { EmbargoError } from '../errors.js';

export const ROLES = ['officer', 'supervisor', 'analyst', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const PERMISSIONS = [
  'read',
  'work-case',
  'confirm-four-eyes',
  'record-approval',
  'manage-users',
  'screen',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

const GRANTS: Readonly<Record<Role, readonly Permission[]>> = {
  analyst: ['read'],
  officer: ['read', 'work-case', 'record-approval', 'screen'],
  supervisor: ['read', 'work-case', 'confirm-four-eyes', 'record-approval', 'screen'],
  admin: ['read', 'manage-users', 'screen'],
};

export interface Actor {
  name: string;
  role: Role;
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}

/** Throws EMB_PERMISSION_DENIED naming the role and what it lacks. */
export function requirePermission(actor: Actor, permission: Permission, what: string): void {
  if (!can(actor.role, permission)) {
    throw new EmbargoError('EMB_PERMISSION_DENIED', `${actor.name} (${actor.role}) may not ${what}`, {
      field: 'role',
    });
  }
}
