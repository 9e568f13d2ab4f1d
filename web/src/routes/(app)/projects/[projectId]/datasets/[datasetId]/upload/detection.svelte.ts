import { kindEnum, missingFields, readMapping, type SchemaKindName } from '$lib/datasets/catalog';
import { query } from '$lib/graphql/client';
import { toAppError, type AppError } from '$lib/graphql/errors';
import {
  DetectUploadDocument,
  type FileFormat,
  type ReadOptionsInput,
  type TextEncoding,
  type TextMode,
  type UploadDetectionFieldsFragment,
} from '$lib/graphql/generated/graphql';

/**
 * What the API found in an upload, and the reader's overrides of it. Every change of an override
 * asks the API again, so the sample shows the file as it will be read. `initial` keeps the first
 * answer: that is what "detected" means on the page.
 */
export class DetectionState {
  initial = $state<UploadDetectionFieldsFragment | null>(null);
  current = $state<UploadDetectionFieldsFragment | null>(null);
  loading = $state(false);
  error = $state<AppError | null>(null);

  /** '' means "as detected". */
  format = $state<FileFormat | ''>('');
  encoding = $state<TextEncoding | ''>('');
  textMode = $state<TextMode | ''>('');
  /** The mapping is only sent once the reader changed it; until then detection's applies. */
  mappingTouched = $state(false);
  kind = $state<SchemaKindName | ''>('');
  columns = $state<Record<string, string>>({});

  readonly projectId: string;
  readonly uploadId: string;
  #generation = 0;

  constructor(projectId: string, uploadId: string) {
    this.projectId = projectId;
    this.uploadId = uploadId;
  }

  /** Required fields of the chosen kind still without a source column. */
  get missing(): string[] {
    return this.kind ? missingFields(this.kind, this.columns) : [];
  }

  /** A version can be made once a kind is chosen and its required fields are mapped. */
  get mappingReady(): boolean {
    return !!this.kind && this.missing.length === 0;
  }

  get effectiveFormat(): FileFormat | null {
    return this.format || this.current?.format || null;
  }

  options(): ReadOptionsInput | null {
    const options: ReadOptionsInput = {};
    if (this.format) options.format = this.format;
    if (this.encoding) options.encoding = this.encoding;
    if (this.textMode && this.effectiveFormat === 'TXT') options.textMode = this.textMode;
    if (this.mappingTouched && this.kind && this.missing.length === 0) {
      options.mapping = { kind: kindEnum(this.kind), columns: { ...this.columns } };
    }
    return Object.keys(options).length ? options : null;
  }

  async run(): Promise<void> {
    const mine = ++this.#generation;
    this.loading = true;
    this.error = null;
    try {
      const data = await query(DetectUploadDocument, {
        projectId: this.projectId,
        uploadId: this.uploadId,
        options: this.options(),
      });
      if (mine !== this.#generation) return;
      const found = data.detectUpload;
      this.current = found;
      this.initial ??= found;
      if (!this.mappingTouched) {
        const mapping = readMapping(found.mapping);
        this.kind = mapping?.kind ?? '';
        this.columns = mapping?.columns ?? {};
      }
    } catch (caught) {
      if (mine === this.#generation) this.error = toAppError(caught);
    } finally {
      if (mine === this.#generation) this.loading = false;
    }
  }
}
