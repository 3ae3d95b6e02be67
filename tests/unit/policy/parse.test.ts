import { describe, expect, it } from 'vitest';
import { parsePolicy } from '../../../lib/policy/parse';

const FULL = {
  environment: 'custom',
  customBaseUrl: 'https://webex.example.com/api/',
  clientId: 'C0123456789abcdef',
  tokenBrokerUrl: 'https://broker.example.com/token',
  keepRegistered: true,
  userMayTurnOffKeepRegistered: true,
  clickToRegisterSites: ['https://crm.example.com', 'http://localhost:3000/'],
  notifications: false,
  lockSettings: true,
};

describe('parsePolicy', () => {
  it('reads a complete policy', () => {
    expect(parsePolicy(FULL)).toEqual({
      policy: {
        environment: { kind: 'custom', baseUrl: 'https://webex.example.com/api' },
        clientId: 'C0123456789abcdef',
        tokenBrokerUrl: 'https://broker.example.com/token',
        keepRegistered: true,
        userMayTurnOffKeepRegistered: true,
        clickToRegisterSites: ['https://crm.example.com', 'http://localhost:3000'],
        notifications: false,
        lockSettings: true,
      },
      problems: [],
    });
  });

  it('reads no policy (nothing managed) as an empty one without problems', () => {
    expect(parsePolicy({})).toEqual({ policy: {}, problems: [] });
    expect(parsePolicy(undefined)).toEqual({ policy: {}, problems: [] });
  });

  it('maps environment "webex" to production', () => {
    expect(parsePolicy({ environment: 'webex' }).policy).toEqual({
      environment: { kind: 'production' },
    });
  });

  it.each([
    [
      'environment',
      'cloud',
      'notEnvironment',
      'The policy value environment must be "webex" or "custom"; it is ignored.',
    ],
    [
      'clientId',
      'has spaces',
      'clientIdInvalid',
      'The policy value clientId must be an integration client ID (8-200 letters and digits); it is ignored.',
    ],
    ['clientId', 42, 'notString', 'The policy value clientId must be a string; it is ignored.'],
    ['clientId', '   ', 'empty', 'The policy value clientId is empty; it is ignored.'],
    [
      'tokenBrokerUrl',
      'http://broker.example.com/token',
      'urlInsecure',
      'The policy value tokenBrokerUrl must use https:// (plain http:// only to localhost or 127.0.0.1); it is ignored.',
    ],
    [
      'tokenBrokerUrl',
      'not a url',
      'brokerUrlInvalid',
      'The policy value tokenBrokerUrl is not a valid URL; it is ignored.',
    ],
    [
      'tokenBrokerUrl',
      'https://user:pw@broker.example.com/token',
      'urlCredentials',
      'The policy value tokenBrokerUrl must not carry credentials or a fragment; it is ignored.',
    ],
    [
      'keepRegistered',
      'yes',
      'notBoolean',
      'The policy value keepRegistered must be true or false; it is ignored.',
    ],
    [
      'notifications',
      1,
      'notBoolean',
      'The policy value notifications must be true or false; it is ignored.',
    ],
    [
      'lockSettings',
      'true',
      'notBoolean',
      'The policy value lockSettings must be true or false; it is ignored.',
    ],
    [
      'clickToRegisterSites',
      'https://crm.example.com',
      'notList',
      'The policy value clickToRegisterSites must be a list of sites; it is ignored.',
    ],
  ])('reports an invalid %s (%j) and applies the rest', (field, value, detail, message) => {
    const parsed = parsePolicy({ ...FULL, [field]: value });
    expect(parsed.problems[0]).toEqual({ field, reason: 'invalidValue', detail, message });
    // Only what depended on it goes too (customBaseUrl on environment, the keepRegistered option).
    expect(parsed.problems.slice(1).map((p) => p.reason)).toEqual(
      field === 'environment' || field === 'keepRegistered' ? ['ignoredCombination'] : [],
    );
    expect(parsed.policy).not.toHaveProperty(field);
    // Everything else still applies.
    expect(Object.keys(parsed.policy)).toHaveLength(field === 'keepRegistered' ? 6 : 7);
  });

  it.each([
    [
      'ftp://webex.example.com',
      'urlInvalid',
      'must be a full http(s) URL without query or fragment',
    ],
    [
      'https://webex.example.com/?q=1',
      'urlInvalid',
      'must be a full http(s) URL without query or fragment',
    ],
    [
      'http://webex.example.com',
      'urlInsecure',
      'must use https:// (plain http:// only to localhost or 127.0.0.1)',
    ],
  ])(
    'refuses customBaseUrl %s, and then the custom environment too',
    (customBaseUrl, detail, what) => {
      const parsed = parsePolicy({ environment: 'custom', customBaseUrl, clientId: 'C0123456789' });
      expect(parsed.problems).toEqual([
        {
          field: 'customBaseUrl',
          reason: 'invalidValue',
          detail,
          message: `The policy value customBaseUrl ${what}; it is ignored.`,
        },
        {
          field: 'environment',
          reason: 'ignoredCombination',
          detail: 'customWithoutBaseUrl',
          message:
            'The policy value environment is "custom" but has no valid customBaseUrl; it is ignored.',
        },
      ]);
      expect(parsed.policy).toEqual({ clientId: 'C0123456789' });
    },
  );

  it('accepts the local emulator over plain http', () => {
    expect(
      parsePolicy({ environment: 'custom', customBaseUrl: 'http://127.0.0.1:8790' }).policy,
    ).toEqual({ environment: { kind: 'custom', baseUrl: 'http://127.0.0.1:8790' } });
  });

  it('reports a customBaseUrl without environment "custom"', () => {
    for (const environment of ['webex', undefined]) {
      const parsed = parsePolicy({ environment, customBaseUrl: 'https://webex.example.com' });
      expect(parsed.problems).toEqual([
        {
          field: 'customBaseUrl',
          reason: 'ignoredCombination',
          detail: 'onlyWithCustom',
          message:
            'The policy value customBaseUrl applies only when environment is "custom"; it is ignored.',
        },
      ]);
    }
  });

  it('ignores userMayTurnOffKeepRegistered unless keepRegistered is true', () => {
    for (const keepRegistered of [false, undefined, 'yes']) {
      const parsed = parsePolicy({ keepRegistered, userMayTurnOffKeepRegistered: true });
      expect(parsed.policy.userMayTurnOffKeepRegistered).toBeUndefined();
      expect(parsed.problems).toContainEqual({
        field: 'userMayTurnOffKeepRegistered',
        reason: 'ignoredCombination',
        detail: 'onlyWithKeepRegistered',
        message:
          'The policy value userMayTurnOffKeepRegistered applies only when keepRegistered is true; it is ignored.',
      });
    }
  });

  it('keeps the good sites of a list and reports each bad entry', () => {
    const parsed = parsePolicy({
      clickToRegisterSites: [
        'https://a.example',
        7,
        'https://a.example/',
        'a.example',
        'https://b.example:8443',
        'http://crm.example.com',
        'http://localhost:3000',
      ],
    });
    expect(parsed.policy.clickToRegisterSites).toEqual([
      'https://a.example',
      'https://b.example:8443',
      'http://localhost:3000',
    ]);
    expect(parsed.problems).toEqual([
      {
        field: 'clickToRegisterSites[1]',
        reason: 'invalidEntry',
        detail: 'notString',
        message: 'The policy value clickToRegisterSites[1] must be a string; it is ignored.',
      },
      {
        field: 'clickToRegisterSites[3]',
        reason: 'invalidEntry',
        detail: 'siteInvalid',
        message:
          'The policy value clickToRegisterSites[3] must be a site as https://host or http://host:port; it is ignored.',
      },
      {
        // A page control can register the line: plain http only on this computer, as for the user.
        field: 'clickToRegisterSites[5]',
        reason: 'invalidEntry',
        detail: 'siteInsecure',
        message:
          'The policy value clickToRegisterSites[5] must use https:// (plain http:// sites only on localhost or 127.0.0.1); it is ignored.',
      },
    ]);
  });

  it('reports unknown fields and never repeats a value', () => {
    const parsed = parsePolicy({ clientSecret: 'top-secret-value', clientId: 'C0123456789' });
    expect(parsed.policy).toEqual({ clientId: 'C0123456789' });
    expect(parsed.problems).toEqual([
      {
        field: 'clientSecret',
        reason: 'unknownField',
        message: 'The policy has no setting named "clientSecret"; it is ignored.',
      },
    ]);
    expect(
      JSON.stringify(parsePolicy({ tokenBrokerUrl: 'https://u:top-secret-value@x.example' })),
    ).not.toContain('top-secret-value');
  });

  it('ignores a policy that is not an object, with one clear problem', () => {
    for (const raw of ['clientId', [FULL], 3]) {
      expect(parsePolicy(raw)).toEqual({
        policy: {},
        problems: [
          {
            field: 'policy',
            reason: 'notAnObject',
            message: 'The managed policy is not a set of named values; all of it is ignored.',
          },
        ],
      });
    }
  });
});
