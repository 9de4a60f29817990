/**
 * Interface roles (接口角色, DB3704/T 0042 3.2): the categories interfaces are authorised and their
 * use is logged by. A calling account holds some of them; a call of an interface in a category the
 * account does not hold is refused.
 */
export const INTERFACE_ROLES = ['retrieve', 'download', 'info', 'view'] as const;
export type InterfaceRole = (typeof INTERFACE_ROLES)[number];

/** The names 3.2 gives them. */
export const INTERFACE_ROLE_NAMES: Readonly<Record<InterfaceRole, string>> = {
  retrieve: '检索证照',
  download: '下载证照',
  info: '获取信息',
  view: '查看证照',
};

/** A role by its canonical name or by the name 3.2 gives it. */
export function parseInterfaceRole(s: string): InterfaceRole | undefined {
  const v = s.trim();
  if ((INTERFACE_ROLES as readonly string[]).includes(v)) return v as InterfaceRole;
  return INTERFACE_ROLES.find((r) => INTERFACE_ROLE_NAMES[r] === v);
}
