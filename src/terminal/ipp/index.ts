/** The IPP terminal driver (mypos-ipp.md): driver, links and options. */
export { IppDriver } from './driver';
export type { IppDriverOptions, StatusSelector, Scheduler } from './options';
export { IPP_DEFAULTS } from './options';
export { createTcpIppLink, IPP_TCP_PORT_PRESETS, type TcpIppLinkOptions } from './tcp-link';
export { createStreamIppLink, type IppLink, type IppConnection, type StreamIppLinkOptions } from './link';
