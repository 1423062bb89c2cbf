/**
 * V8 flags every server process runs with (`communities` below, `npm start`, the benches' server
 * processes; `npm run bench` repeats them for the benches that run server code in process).
 *
 * `--max-semi-space-size=64`: a young generation of up to 64 MiB a semi-space instead of V8's 16.
 * Requests leave short-lived objects (rows, presented messages, JSON) by the megabyte; with 16 MiB
 * the young-generation collections came often and each copied the objects of every request in
 * flight (9–17 ms pauses seen under `--trace-gc`), which set the p99 of reads. Measured on a
 * quiet 2-core machine, 2026-12-02: a 365-day member calendar at 10 M messages p99 10.8 → 3.4 ms
 * (analytics page 23.2 → 13.8 ms); 50-message history pages at 1 M flat out 418–670 → 325–418 µs
 * of CPU a page. The price: up to ~150 MiB more resident memory under allocation pressure.
 */
export const NODE_FLAGS = ['--max-semi-space-size=64'];
