export { DEFAULT_EXTERNALS, matchesExternal } from './default-externals.js';
export { bundleApp, bundledEntry, type BundleFile, type BundleRequest, type BundleResult } from './bundle-app.js';
