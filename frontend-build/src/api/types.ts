// Types derived from the generated OpenAPI schema (../api/openapi.yaml ->
// src/api/schema.d.ts). They are looked up by path and status code, so a change
// to the contract surfaces as a type error in `npm run build`.
import type { paths } from "./schema";

type JsonOf<R> = R extends { content: { "application/json": infer J } } ? J : never;

export type SignInResult = JsonOf<paths["/sign-in"]["post"]["responses"][200]>;
export type User = JsonOf<paths["/me"]["get"]["responses"][200]>;
export type Usage = JsonOf<paths["/usage"]["get"]["responses"][200]>;
export type FilesPage = JsonOf<paths["/files"]["get"]["responses"][200]>;
export type FileEntry = FilesPage["files"][number];
export type FileStatus = FileEntry["status"];
export type RenderReport = NonNullable<FileEntry["report"]>;
export type DownloadLink = JsonOf<paths["/file/{name}/link"]["get"]["responses"][200]>;
type RequestBody = NonNullable<
  paths["/request"]["post"]["requestBody"]
>["content"]["application/json"];
export type ConvertOptions = NonNullable<RequestBody["options"]>;
export type PaperFormat = NonNullable<ConvertOptions["format"]>;
export type MediaType = NonNullable<ConvertOptions["media"]>;
