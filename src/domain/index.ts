export * from './errors';
export * from './currency';
export * from './money';
export * from './vocabulary';
export * from './payment';
export * from './settlement';
