/** Every fuzz target, in the order `npm run fuzz` runs them. */
import type { FuzzTarget } from './target';
import { nativeTargets } from './native';
import { zvtTargets } from './zvt';
import { ippTargets } from './ipp';
import { configTargets } from './config';
import { hidTargets } from './hid';
import { textTargets } from './text';
import { captureTargets } from './capture';
import { eposTargets } from './epos';
import { crossProtocolTargets } from './cross-protocol';
import { ecr17Targets } from './ecr17';
import { concertTargets } from './concert';
import { caisseApTargets } from './caisse-ap';

export const allTargets: FuzzTarget[] = [
  ...nativeTargets,
  ...zvtTargets,
  ...ippTargets,
  ...hidTargets,
  ...textTargets,
  ...captureTargets,
  ...eposTargets,
  ...ecr17Targets,
  ...concertTargets,
  ...caisseApTargets,
  ...configTargets,
  ...crossProtocolTargets,
];
