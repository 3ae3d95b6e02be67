import { describe, expect, it } from 'vitest';
import { classifyFailure, MOBIUS_ERROR_TABLE, SEED_MESSAGES } from '../../../lib/webex/errors';
import type { WebexFailure } from '../../../lib/webex/http';
import {
  deviceLimitError,
  retriesExhaustedError,
  tokenExpiredError,
  toLineError,
} from '../../../lib/webex/line-errors';

const http = (status: number, body?: unknown, retryAfter?: number): WebexFailure => ({
  kind: 'http',
  status,
  body,
  retryAfter,
  message: `HTTP ${status}`,
});

describe('error table (SDK 3.12.0 handleRegistrationErrors)', () => {
  const cases: [
    string,
    WebexFailure,
    { final: boolean; sdkType: string; reaction: string; message: string },
  ][] = [
    [
      '400',
      http(400),
      {
        final: true,
        sdkType: 'bad_request',
        reaction: 'stop',
        message:
          'Invalid input. Please verify the required parameters, sign out and then sign back in with the valid data',
      },
    ],
    [
      '401',
      http(401),
      {
        final: true,
        sdkType: 'token_error',
        reaction: 'stop',
        message: 'User is unauthorized due to an expired token. Sign out, then sign back in.',
      },
    ],
    [
      '403/101',
      http(403, { errorCode: 101, devices: [] }),
      {
        final: false,
        sdkType: 'forbidden',
        reaction: 'restoreDeviceLimit',
        message: 'User device limit exceeded',
      },
    ],
    [
      '403/102',
      http(403, { errorCode: 102 }),
      {
        final: true,
        sdkType: 'forbidden',
        reaction: 'stop',
        message:
          'User is not configured for WebRTC calling. Please contact the administrator to resolve this issue.',
      },
    ],
    [
      '403/103',
      http(403, { errorCode: 103 }),
      {
        final: false,
        sdkType: 'forbidden',
        reaction: 'next',
        message:
          'An unknown error occurred while provisioning the device. Wait a moment and try again.',
      },
    ],
    [
      '403/other',
      http(403, { errorCode: 999 }),
      {
        final: false,
        sdkType: 'forbidden',
        reaction: 'next',
        message:
          'An unknown error occurred. Wait a moment and try again. Please contact the administrator if the problem persists.',
      },
    ],
    [
      '403 body without code',
      http(403, { message: 'x' }),
      {
        final: false,
        sdkType: 'forbidden',
        reaction: 'next',
        message:
          'An unknown error occurred. Wait a moment and try again. Please contact the administrator if the problem persists.',
      },
    ],
    [
      '403 no body',
      http(403),
      {
        final: false,
        sdkType: 'forbidden',
        reaction: 'next',
        message:
          'An unauthorized action has been received. This action has been blocked. Please contact the administrator if this persists.',
      },
    ],
    [
      '404',
      http(404),
      {
        final: true,
        sdkType: 'not_found',
        reaction: 'stop',
        message: 'Webex Calling is unable to find your device. Sign out, then sign back in',
      },
    ],
    [
      '429',
      http(429, undefined, 12),
      {
        final: false,
        sdkType: 'too_many_requests',
        reaction: 'retryAfter',
        message: 'Server is handling too many request at the time. Wait a moment and try again',
      },
    ],
    [
      '500',
      http(500),
      {
        final: false,
        sdkType: 'server_error',
        reaction: 'next',
        message:
          'An unknown error occurred while placing the request. Wait a moment and try again.',
      },
    ],
    [
      '503',
      http(503),
      {
        final: false,
        sdkType: 'service_unavailable',
        reaction: 'next',
        message:
          'An error occurred on the server while processing the request. Wait a moment and try again.',
      },
    ],
    [
      '409',
      http(409),
      { final: false, sdkType: 'default_error', reaction: 'next', message: 'Unknown error' },
    ],
    [
      '502',
      http(502),
      { final: false, sdkType: 'default_error', reaction: 'next', message: 'Unknown error' },
    ],
    [
      'network',
      { kind: 'network', message: 'down' },
      { final: false, sdkType: 'default_error', reaction: 'next', message: 'Unknown error' },
    ],
    [
      'malformed 200',
      { kind: 'malformed', status: 200, message: 'bad' },
      { final: false, sdkType: 'default_error', reaction: 'next', message: 'Unknown error' },
    ],
    [
      'auth (refused token)',
      { kind: 'auth', definitive: true, message: 'gone' },
      {
        final: true,
        sdkType: 'token_error',
        reaction: 'stop',
        message: 'User is unauthorized due to an expired token. Sign out, then sign back in.',
      },
    ],
  ];
  it.each(cases)('%s', (_name, failure, expected) => {
    const { row } = classifyFailure(failure);
    expect({
      final: row.final,
      sdkType: row.sdkType,
      reaction: row.reaction,
      message: row.message,
    }).toEqual(expected);
  });

  it('keeps Retry-After, errorCode and network flags', () => {
    expect(classifyFailure(http(429, undefined, 12)).retryAfter).toBe(12);
    expect(classifyFailure(http(403, { errorCode: '102' })).errorCode).toBe(102);
    expect(classifyFailure({ kind: 'network', message: 'x' }).network).toBe(true);
    expect(classifyFailure(http(503)).network).toBe(false);
  });

  it('has one row per documented case', () => {
    expect(MOBIUS_ERROR_TABLE).toHaveLength(12);
  });
});

describe('mapping to the seed payload', () => {
  it('maps 401 to the seed token error', () => {
    expect(toLineError(classifyFailure(http(401)))).toEqual({
      status: 'inactive',
      type: 'tokenError',
      msg: 'Token expired. Authentication/Authorization error.',
      detail: { sdkType: 'token_error', httpStatus: 401, action: 'signIn' },
    });
    expect(tokenExpiredError().msg).toBe(SEED_MESSAGES.tokenExpired);
  });
  it('maps 404 to "Device not found."', () => {
    expect(toLineError(classifyFailure(http(404)))).toEqual({
      status: 'inactive',
      type: 'registrationError',
      msg: 'Device not found.',
      detail: { sdkType: 'not_found', httpStatus: 404, action: 'retry' },
    });
  });
  it('maps an unrestorable device limit to the seed message', () => {
    expect(deviceLimitError()).toEqual({
      status: 'inactive',
      type: 'registrationError',
      msg: 'Device limit exceeded. The user already logged in to a different device.',
      detail: { sdkType: 'forbidden', httpStatus: 403, errorCode: 101, action: 'retry' },
    });
  });
  it('uses the SDK message for everything else', () => {
    expect(toLineError(classifyFailure(http(403, { errorCode: 102 })))).toEqual({
      status: 'inactive',
      type: 'registrationError',
      msg: 'User is not configured for WebRTC calling. Please contact the administrator to resolve this issue.',
      detail: { sdkType: 'forbidden', httpStatus: 403, errorCode: 102, action: 'retry' },
    });
    expect(toLineError(classifyFailure(http(400))).detail?.action).toBe('signIn');
    expect(retriesExhaustedError()).toEqual({
      status: 'inactive',
      type: 'registrationError',
      msg: 'An unknown error occurred. Wait a moment and try again. Please contact the administrator if the problem persists.',
      detail: { sdkType: 'service_unavailable', action: 'retry' },
    });
  });
});
