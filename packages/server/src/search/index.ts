export { SearchService, type SearchDeps, type SearchQuery } from './service';
export { rebuildSearchIndex, type RebuildReport } from './rebuild';
export { DEFERRED_SOURCES, SearchIndexer, SearchIndexStatements } from './indexer';
export { SEARCH_SOURCES } from './sources';
