import {
  type Batch,
  type ManifestWriter,
  manifestOptions,
  openManifest,
  type Pipeline,
} from "@stepwise/data/internals";

/**
 * Opens the run's step manifest, if it has one, at the step training continues from: a fresh run
 * starts the file, a resumed one (`resumedStep`, the checkpoint's step) appends a segment whose
 * hash chain continues from the step before it. Call after the pipeline is created and after any
 * resume state was set. Throws the data package's `DataError` when the file cannot be written.
 */
export async function openRunManifest(
  path: string | undefined,
  pipeline: Pipeline,
  resumedStep: number | null,
): Promise<ManifestWriter | null> {
  if (path === undefined) return null;
  const options = manifestOptions(pipeline);
  // The checkpoint says where training continues (the pipeline's own position, once its state is set).
  return openManifest(path, { ...options, startStep: resumedStep ?? options.startStep });
}

/**
 * The batches of `batches`, each written to `manifest` once the consumer asks for the next one,
 * i.e. once it was trained on: a batch whose step fails or is interrupted is never recorded.
 * Writes queue behind each other instead of holding up the next step (a write waits for the
 * thread pool, which positioned reads keep busy); the generator ends only when every write of
 * the epoch is done, so the manifest is never behind a checkpoint taken after it. A failed write
 * fails the next step.
 */
export async function* recorded(
  batches: AsyncIterable<Batch>,
  manifest: ManifestWriter,
): AsyncGenerator<Batch> {
  let queue: Promise<void> = Promise.resolve();
  const write = { failed: false, error: undefined as unknown };
  for await (const batch of batches) {
    if (write.failed) throw write.error;
    yield batch;
    queue = queue
      // After a failed write none follows: the file must not skip a step.
      .then(() => (write.failed ? undefined : manifest.write(batch)))
      .catch((error: unknown) => {
        if (!write.failed) Object.assign(write, { failed: true, error });
      });
  }
  await queue;
  if (write.failed) throw write.error;
}
