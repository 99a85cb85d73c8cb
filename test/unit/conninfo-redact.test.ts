import { describe, expect, it } from 'vitest';
import { redactConnectionString } from '../../src/conninfo/conninfo.js';

describe('redactConnectionString', () => {
  const cases: [string, string][] = [
    ['postgresql://u:secret@h/db', 'postgresql://u:****@h/db'],
    ['postgres://u:secret@h1:5432,h2:5433/db?sslmode=require', 'postgres://u:****@h1:5432,h2:5433/db?sslmode=require'],
    ['postgresql://:secret@h', 'postgresql://:****@h'],
    ['postgresql://u:@h', 'postgresql://u:****@h'],
    ['postgresql://u@h/db', 'postgresql://u@h/db'],
    ['postgresql://h:5432/db', 'postgresql://h:5432/db'],
    ['postgresql://', 'postgresql://'],
    ['postgresql://h/db?password=x&sslmode=require', 'postgresql://h/db?password=****&sslmode=require'],
    ['postgresql://h/db?sslmode=require&password=x', 'postgresql://h/db?sslmode=require&password=****'],
    ['postgresql://h/db?pass%77ord=x', 'postgresql://h/db?pass%77ord=****'],
    ['postgresql://h/db?sslpassword=k&application_name=a', 'postgresql://h/db?sslpassword=****&application_name=a'],
    ['postgresql://h?password=a%20b', 'postgresql://h?password=****'],
    // Unencoded "@", "/", "?" in the password: libpq would misparse it; redaction must still hide it.
    ['postgresql://u:p@ss@h/db', 'postgresql://u:****@h/db'],
    ['postgresql://u:pa/ss@h/db', 'postgresql://u:****@h/db'],
    ['postgresql://u:pa?ss@h/db', 'postgresql://u:****@h/db'],
    ['postgresql://u:p@x/y?z@h/db?password=q', 'postgresql://u:****@h/db?password=****'],
    // "@" in a later parameter over-masks rather than risk a leak.
    ['postgresql://u:pw@h/db?password=p@ss&x=1', 'postgresql://u:****&x=1'],
    ['host=h password=secret port=5', 'host=h password=**** port=5'],
    ["password='a b\\' c' host=x", 'password=**** host=x'],
    ['password = secret', 'password = ****'],
    ['password=sec\\ ret host=x', 'password=**** host=x'],
    ["password='unterminated", 'password=****'],
    ['host=h sslpassword=k', 'host=h sslpassword=****'],
    ['password=a b c', 'password=****'],
    ['password=a host=b c', 'password=****'],
    ["host='x password=y", "host='x ****"],
    ['host=a b password=y', 'host=a b ****'],
    ['host=a dbname=b', 'host=a dbname=b'],
    ['', ''],
    ['garbage', 'garbage'],
  ];
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), () => expect(redactConnectionString(input)).toBe(expected));
  }

  it('tolerates non-strings', () => {
    expect(redactConnectionString(undefined as never)).toBe('');
    expect(redactConnectionString(42 as never)).toBe('');
  });
});
