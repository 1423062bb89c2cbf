import { benchSearch } from './search';
const r = await benchSearch({
  messages: Number(process.env.N ?? 1_000_000),
  queries: Number(process.env.Q ?? 2000),
  ingestMessages: Number(process.env.INGEST ?? 0),
  keepDir: process.env.KEEP,
});
console.log(JSON.stringify(r, null, 2));
