import type { CommunitiesConfig } from '@communities/contract';

import { ClamavScanner } from './clamav';
import { HttpScanner } from './http';
import { NullScanner } from './null';
import type { Scanner } from './types';

export { ScannerError, type Scanner, type ScanVerdict } from './types';

export function createScanner(config: CommunitiesConfig): Scanner {
  const f = config.file_scanner;
  if (!config.features.file_scanning || f.driver === 'null') return new NullScanner();
  if (f.driver === 'clamav') {
    return new ClamavScanner({
      host: f.clamav.host,
      port: f.clamav.port,
      socket: f.clamav.socket,
      timeoutMs: f.clamav.timeout_ms,
      chunkSize: f.clamav.chunk_size,
    });
  }
  if (!f.http.url) throw new Error('file_scanner.http.url is required when file_scanner.driver is http');
  return new HttpScanner({
    url: f.http.url,
    token: f.http.token,
    timeoutMs: f.http.timeout_ms,
    verdictField: f.http.verdict_field,
    cleanValues: f.http.clean_values,
    infectedValues: f.http.infected_values,
  });
}
