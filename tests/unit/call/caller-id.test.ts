import { describe, expect, it } from 'vitest';
import { type CallerIdHeaders, callerIdOf, callerLabel } from '../../../lib/call/caller-id';

const FIXTURE_INFO =
  'userId="hkkcq0ekby@64941297.int10.bcld.webex.com";userDn="tel:+12142865895;ext=5008;country-code=1";externalId=652fe0c7-05ce-4acd-8bda-9a080830187f';

const cases: { name: string; headers: CallerIdHeaders | undefined; expected: object }[] = [
  {
    name: 'SDK fixture: From name and number, BroadWorks externalId',
    headers: {
      from: '"Bob Marley" <sip:5008@207.182.171.130;user=phone>;tag=379221777-1653906128003-',
      'x-broadworks-remote-party-info': FIXTURE_INFO,
    },
    expected: {
      name: 'Bob Marley',
      number: '5008',
      externalId: '652fe0c7-05ce-4acd-8bda-9a080830187f',
    },
  },
  {
    name: 'p-asserted-identity wins over From',
    headers: {
      'p-asserted-identity': '"Alice" <sip:+14085551234@host>',
      from: '"Bob" <sip:5008@host>',
    },
    expected: { name: 'Alice', number: '+14085551234' },
  },
  {
    name: 'From fills a number missing from p-asserted-identity',
    headers: { 'p-asserted-identity': '"Alice" <sip:alice@host>', from: '<sip:5008@host>' },
    expected: { name: 'Alice', number: '5008' },
  },
  {
    name: 'From fills a missing name',
    headers: { 'p-asserted-identity': '<sip:+1 (555) 123-4567@host>', from: '"Bob" <sip:5008@h>' },
    expected: { name: 'Bob', number: '+1 (555) 123-4567' },
  },
  {
    name: 'a non-numeric user part is no number',
    headers: { from: '"Carol" <sip:carol@example.com>' },
    expected: { name: 'Carol' },
  },
  {
    name: 'externalId only when it is the last token',
    headers: { 'x-broadworks-remote-party-info': 'externalId=abc;userId="x"' },
    expected: {},
  },
  { name: 'no headers', headers: undefined, expected: {} },
];

describe('callerIdOf', () => {
  for (const c of cases) it(c.name, () => expect(callerIdOf(c.headers)).toEqual(c.expected));

  it('labels by name, then number, then a neutral text', () => {
    expect(callerLabel({ name: 'Bob', number: '1' })).toBe('Bob');
    expect(callerLabel({ number: '5008' })).toBe('5008');
    expect(callerLabel({})).toBe('Unknown caller');
  });
});
