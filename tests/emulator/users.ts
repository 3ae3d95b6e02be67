/**
 * The test users. UUIDs are stable so tests can name them; every user is in one org.
 */

export const ORG_UUID = '7c2d1e4f-5a6b-4c8d-9e0f-1a2b3c4d5e6f';
export const LOCATION_UUID = '10ca7100-5a6b-4c8d-9e0f-1a2b3c4d5e70';
export const ORG_NAME = 'Example Org';

export interface TestUser {
  /** Raw user UUID (what Mobius and WDM call userId). */
  id: string;
  email: string;
  displayName: string;
  firstName: string;
  lastName: string;
  /** Licensed and entitled for WebRTC calling; false gives Mobius 403 errorCode 102. */
  callingEnabled: boolean;
  /** E.164 work number (calling users only). */
  phoneNumber?: string;
  /** Webex Calling extension (calling users only). */
  extension?: string;
  /** Starts every reset with `deviceLimit` live devices from "other browsers". */
  atDeviceLimit: boolean;
  created: string;
}

/** Location routing prefix prepended to the extension in `work_extension`. */
export const ROUTING_PREFIX = '8';

export const ALICE: TestUser = {
  id: '0a11ce00-0000-4000-8000-000000000001',
  email: 'alice@example.com',
  displayName: 'Alice Example',
  firstName: 'Alice',
  lastName: 'Example',
  callingEnabled: true,
  phoneNumber: '+14085550101',
  extension: '0101',
  atDeviceLimit: false,
  created: '2024-01-15T09:00:00.000Z',
};

export const DAVE: TestUser = {
  id: '0da7e000-0000-4000-8000-000000000002',
  email: 'dave@example.com',
  displayName: 'Dave Example',
  firstName: 'Dave',
  lastName: 'Example',
  callingEnabled: true,
  phoneNumber: '+14085550102',
  extension: '0102',
  atDeviceLimit: false,
  created: '2024-01-15T09:05:00.000Z',
};

export const BOB: TestUser = {
  id: '0b0b0000-0000-4000-8000-000000000003',
  email: 'bob@example.com',
  displayName: 'Bob Example',
  firstName: 'Bob',
  lastName: 'Example',
  callingEnabled: false,
  atDeviceLimit: false,
  created: '2024-01-15T09:10:00.000Z',
};

export const CAROL: TestUser = {
  id: '0ca20100-0000-4000-8000-000000000004',
  email: 'carol@example.com',
  displayName: 'Carol Example',
  firstName: 'Carol',
  lastName: 'Example',
  callingEnabled: true,
  phoneNumber: '+14085550103',
  extension: '0103',
  atDeviceLimit: true,
  created: '2024-01-15T09:15:00.000Z',
};

export const TEST_USERS: readonly TestUser[] = Object.freeze([ALICE, DAVE, BOB, CAROL]);

export function userByEmail(email: string): TestUser | undefined {
  const wanted = email.trim().toLowerCase();
  return TEST_USERS.find((u) => u.email === wanted);
}

export function userById(id: string): TestUser | undefined {
  return TEST_USERS.find((u) => u.id === id);
}
