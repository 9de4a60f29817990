/** A small history router: the console's pages are few and flat, so a path → page map is enough. */
import { ref } from 'vue';

export const PAGES = ['dashboard', 'access', 'certificates', 'catalog', 'usage', 'seals'] as const;
export type Page = (typeof PAGES)[number];
const BASE = '/console/';

function pageOf(path: string): Page {
  const name = path.startsWith(BASE) ? path.slice(BASE.length).split('/')[0] : '';
  return (PAGES as readonly string[]).includes(name ?? '') ? (name as Page) : 'dashboard';
}

export const currentPage = ref<Page>(pageOf(location.pathname));

export function go(page: Page): void {
  if (page === currentPage.value) return;
  history.pushState(null, '', BASE + page);
  currentPage.value = page;
}

window.addEventListener('popstate', () => { currentPage.value = pageOf(location.pathname); });
