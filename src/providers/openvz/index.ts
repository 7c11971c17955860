export { OpenvzProvider, type OpenvzProviderOptions, type OpenvzHandle } from './provider.js';
export { validateOpenvzTarget, validateCtid, validateCtName, validateOstemplate, validateIpv4, derivedCtid } from './validate.js';
