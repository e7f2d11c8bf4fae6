import { BoundedMap } from '../shared/bounded-map';

/**
 * A rule of a property name (drop it, keep it, mask it…) worked out once per name: the same few dozen names come with
 * every payment, and testing each against the patterns every time was most of the time spent on them. The last `max`
 * names are remembered, so that names nobody repeats cannot fill memory.
 */
export function ruleByName<R>(rule: (name: string) => R, max = 1024): (name: string) => R {
  const known = new BoundedMap<string, R>(max);
  return (name) => {
    let r = known.get(name);
    if (r === undefined) {
      r = rule(name);
      known.put(name, r);
    }
    return r;
  };
}
