/** Where the metrics listener binds (COFFER_METRICS_LISTEN, `coffer serve --metrics-listen`). */
export interface ListenAddress {
  host: string;
  port: number;
}

/**
 * `host:port`, `[ipv6]:port`, or a bare port (then 127.0.0.1). Port 0 picks a free one. Returns
 * the problem as a sentence when the value cannot be used.
 */
export function parseListenAddress(value: string): ListenAddress | string {
  const problem = `COFFER_METRICS_LISTEN must be host:port (e.g. 127.0.0.1:9464, [::1]:9464, 0.0.0.0:9464) or a port; got '${value.slice(0, 100)}'.`;
  let host: string;
  let portText: string;
  const bracketed = /^\[([0-9A-Fa-f:.]+)\]:(\d+)$/.exec(value);
  if (bracketed) {
    host = bracketed[1] as string;
    portText = bracketed[2] as string;
  } else if (/^\d+$/.test(value)) {
    host = "127.0.0.1";
    portText = value;
  } else {
    const colon = value.lastIndexOf(":");
    if (colon <= 0) return problem;
    host = value.slice(0, colon);
    portText = value.slice(colon + 1);
    if (host.includes(":") || !/^[A-Za-z0-9.-]{1,253}$/.test(host)) return problem;
  }
  if (!/^\d{1,5}$/.test(portText)) return problem;
  const port = Number(portText);
  if (port > 65535) return problem;
  return { host, port };
}
