/** The registration engine's own vocabulary, shared with the messaging protocol and the UI. */

/** Engine states (DESIGN.md): `active` is the registered state. */
export type EngineState = 'idle' | 'connecting' | 'active' | 'reconnecting' | 'inactive';
