export { SearchService, type SearchDeps, type SearchQuery } from './service';
export { rebuildSearchIndex, type RebuildReport } from './rebuild';
