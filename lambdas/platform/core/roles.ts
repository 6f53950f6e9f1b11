/** The finance roles; in AWS they are the Cognito user pool's groups. */
export const ROLES = ['ap_clerk', 'controller', 'fpa', 'auditor', 'platform_admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value);
}
