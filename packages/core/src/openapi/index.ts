export type { OpenApiOptions } from './options.js';
export type {
  OpenApiDocument, OpenApiInfo, OpenApiServer, OpenApiSecurityScheme, OpenApiSecurityRequirement, OpenApiTag, OpenApiOperation,
  OpenApiParameter, OpenApiRequestBody, OpenApiResponse, OpenApiPathItem, JsonSchema,
} from './types.js';
