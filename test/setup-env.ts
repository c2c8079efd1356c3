// grpc-js-xds reads its feature flags when the module loads: RBAC on the server side must be on
// before any test imports it.
process.env.GRPC_XDS_EXPERIMENTAL_RBAC = 'true';
