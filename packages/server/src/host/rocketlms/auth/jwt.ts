import { createHash, randomBytes } from 'node:crypto';

import { errors as joseErrors, jwtVerify, SignJWT, type JWTPayload } from 'jose';

export type JwtFailure = 'malformed' | 'bad_signature' | 'expired' | 'missing_exp' | 'not_yet_valid' | 'bad_subject' | 'bad_prv';

export class JwtError extends Error {
  constructor(readonly reason: JwtFailure) {
    super(`JWT refused: ${reason}`);
  }
}

/** tymon/jwt-auth's `prv` claim: sha1 of the authenticatable model's class name. */
export const defaultPrv = (className = 'App\\Models\\Api\\User'): string => createHash('sha1').update(className).digest('hex');

export interface VerifyOptions {
  secret: string;
  leewaySeconds: number;
  prv?: string;
  now?: Date;
}

/**
 * Verifies a RocketLMS API token as tymon/jwt-auth issues it: HS256 only, exp/nbf/iat with a
 * small leeway (and no iat in the future), `sub` = the user id as a string, `prv` when configured.
 * `exp` is required (tymon/jwt-auth's required_claims): a token without one would never expire.
 */
export async function verifyRocketJwt(token: string, opts: VerifyOptions): Promise<{ userId: number; claims: JWTPayload }> {
  const now = opts.now ?? new Date();
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(opts.secret), {
      algorithms: ['HS256'],
      clockTolerance: opts.leewaySeconds,
      currentDate: now,
    }));
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) throw new JwtError('expired');
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      throw new JwtError(error.claim === 'nbf' || error.claim === 'iat' ? 'not_yet_valid' : 'malformed');
    }
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) throw new JwtError('bad_signature');
    throw new JwtError(error instanceof joseErrors.JOSEAlgNotAllowed ? 'bad_signature' : 'malformed');
  }
  if (typeof payload.exp !== 'number') throw new JwtError('missing_exp');
  const nowSeconds = Math.floor(now.getTime() / 1000);
  if (typeof payload.iat === 'number' && payload.iat > nowSeconds + opts.leewaySeconds) throw new JwtError('not_yet_valid');
  const sub = payload.sub;
  if (typeof sub !== 'string' || !/^[1-9]\d{0,9}$/.test(sub)) throw new JwtError('bad_subject');
  if (opts.prv !== undefined && payload.prv !== opts.prv) throw new JwtError('bad_prv');
  return { userId: Number(sub), claims: payload };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const jti = () => [...randomBytes(16)].map((b) => ALNUM[b % ALNUM.length]).join('');

/** Issues a token with the claims tymon/jwt-auth 2.x puts in one (tests and demo mode). */
export async function signRocketJwt(
  userId: number,
  opts: { secret: string; ttlSeconds?: number; prv?: string; iss?: string; now?: Date },
): Promise<string> {
  const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  return new SignJWT({ prv: opts.prv ?? defaultPrv() })
    .setProtectedHeader({ typ: 'JWT', alg: 'HS256' })
    .setIssuer(opts.iss ?? 'http://localhost/api/development/login')
    .setIssuedAt(iat)
    .setExpirationTime(iat + (opts.ttlSeconds ?? 3600))
    .setNotBefore(iat)
    .setJti(jti())
    .setSubject(String(userId))
    .sign(new TextEncoder().encode(opts.secret));
}
