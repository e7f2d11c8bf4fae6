/** ZVT: the bridge as a payment terminal toward ZVT cash registers (docs/zvt.md). */
export { zvtProtocol, zvtTcpProtocol, zvtSerialProtocol, type ZvtProtocolSetup } from './session';
export { zvtOptionsSchema, parseZvtOptions, type ZvtOptions, type ZvtOptionsInput } from './options';
