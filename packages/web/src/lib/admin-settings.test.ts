import { describe, expect, it } from 'vitest';

import { choicesOf, fromText, issueKey, settingKind, toText } from './admin-settings';

describe('admin settings fields', () => {
  it('picks the editor from the value and the schema description', () => {
    expect(settingKind(true, 'true or false')).toEqual({ kind: 'boolean' });
    expect(settingKind(4000, 'integer from 1 to 100000')).toEqual({ kind: 'number' });
    expect(settingKind('censor', 'censor | reject | flag | hold')).toEqual({
      kind: 'choice',
      options: ['censor', 'reject', 'flag', 'hold'],
    });
    expect(settingKind('*', 'a single character')).toEqual({ kind: 'text' });
    expect(settingKind(['admin'], 'array of global roles')).toEqual({ kind: 'list' });
    expect(settingKind({ stripe: 3 }, 'an object mapping gateway names')).toEqual({ kind: 'map' });
    expect(choicesOf('quarantine | delete')).toEqual(['quarantine', 'delete']);
    expect(choicesOf('an ISO 4217 code such as USD')).toBeNull();
    expect(choicesOf('{ low?, medium?, high? }: censor | reject')).toBeNull();
  });

  it('round-trips lists and maps through text, and leaves bad numbers for the server to refuse', () => {
    expect(toText(['admin', 'instructor'])).toBe('admin\ninstructor');
    expect(fromText({ kind: 'list' }, ' admin \n\ninstructor\n')).toEqual(['admin', 'instructor']);
    expect(toText({ paypal: 2, stripe: 7 })).toBe('paypal = 2\nstripe = 7');
    expect(fromText({ kind: 'map' }, 'paypal = 2\nstripe=7\n')).toEqual({ paypal: 2, stripe: 7 });
    expect(fromText({ kind: 'map' }, 'paypal = two')).toEqual({ paypal: 'two' });
    expect(fromText({ kind: 'number' }, '12')).toBe(12);
    expect(fromText({ kind: 'number' }, '12x')).toBe('12x');
    expect(fromText({ kind: 'number' }, '')).toBe('');
    expect(fromText({ kind: 'text' }, '#')).toBe('#');
  });

  it('puts a server issue beside the key its path names', () => {
    const keys = ['chat.max_message_length', 'pricing.gateways', 'moderation.actions.on_detect', 'features.dm'];
    const at = (path: string) => issueKey({ path, code: 'x', message: 'm' }, keys);
    expect(at('body.values.chat.max_message_length')).toBe('chat.max_message_length');
    expect(at('chat.max_message_length')).toBe('chat.max_message_length');
    expect(at('body.values.pricing.gateways.stripe')).toBe('pricing.gateways');
    expect(at('body.values.moderation.actions.on_detect')).toBe('moderation.actions.on_detect');
    expect(at('body.values')).toBeNull();
  });
});
