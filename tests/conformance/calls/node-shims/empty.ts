/**
 * Stands in for Node builtins the Webex packages import but never call on the paths a
 * browser call takes (`fs`, `crypto`, `stream`, `os`…): loading must not fail, using must.
 */
class Stream {}

export const platform = () => 'browser';
export const release = () => '';
export { Stream, Stream as Readable, Stream as Writable, Stream as Transform };
export default { Stream, Readable: Stream, Writable: Stream, Transform: Stream, platform, release };
