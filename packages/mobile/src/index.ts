export { defaultTheme, type CommunitiesAddonConfig, type CommunitiesTheme } from './config';
export { buildMenu, type MenuItem, type MenuRoute } from './menu';
