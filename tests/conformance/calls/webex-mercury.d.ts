/** The unmodified Mercury plugin's build has no types; the harness uses this much of it. */
declare module '@webex/internal-plugin-mercury/dist/mercury' {
  interface MercuryPlugin {
    connected: boolean;
    connect(webSocketUrl?: string): Promise<void>;
    disconnect(options?: { code: number; reason: string }): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): void;
    off(event: string, listener?: (...args: unknown[]) => void): void;
  }
  const Mercury: new (attrs: object, options: { parent: object }) => MercuryPlugin;
  export default Mercury;
}

declare module '@webex/internal-plugin-mercury/dist/config' {
  const config: { mercury: Record<string, unknown> };
  export default config;
}
