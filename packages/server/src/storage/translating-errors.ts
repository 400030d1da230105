/**
 * The same object, whose methods (sync or async) throw `translate(error)` instead of `error`;
 * nested objects named in `nested` are wrapped too. Each engine states its own translation.
 */
export function translatingErrors<T extends object>(
  store: T,
  translate: (error: unknown) => unknown,
  nested: ReadonlyArray<keyof T> = [],
): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, property, receiver) {
      if (wrapped.has(property)) return wrapped.get(property);
      const value: unknown = Reflect.get(target, property, receiver);
      let result: unknown = value;
      if (nested.includes(property as keyof T) && typeof value === "object" && value !== null) {
        result = translatingErrors(value, translate);
      } else if (typeof value === "function") {
        result = function (this: unknown, ...args: unknown[]) {
          let returned: unknown;
          try {
            returned = (value as (...a: unknown[]) => unknown).apply(target, args);
          } catch (error) {
            throw translate(error);
          }
          if (returned instanceof Promise)
            return returned.catch((error: unknown) => Promise.reject(translate(error)));
          return returned;
        };
      } else {
        return value;
      }
      wrapped.set(property, result);
      return result;
    },
  });
}
