// The Kubernetes examples, checked against the Kubernetes API's JSON schemas (kubernetes-models,
// no cluster needed) and against each other: the rank contract they set up must be one the
// trainer reads.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Job } from "kubernetes-models/batch/v1";
import { Service } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { rankFromEnv } from "./distributed/env.ts";
import { REPO_ROOT } from "./test-helpers.ts";

const folder = join(REPO_ROOT, "examples", "kubernetes");

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, checked by the Kubernetes schemas rather than by TypeScript
type Loose = any;

async function documents(name: string): Promise<Record<string, Loose>[]> {
  const text = await readFile(join(folder, name), "utf8");
  return parseAllDocuments(text).map((doc) => doc.toJS());
}

type Container = { env: { name: string; value: string }[]; args: string[] };

/** The env a pod of this Job spec gets, with Kubernetes' own JOB_COMPLETION_INDEX for `index`. */
function podEnv(jobSpec: Record<string, Loose>, index: number): Record<string, string> {
  const container = jobSpec.template.spec.containers[0] as Container;
  return {
    ...Object.fromEntries(container.env.map((e) => [e.name, e.value])),
    JOB_COMPLETION_INDEX: String(index),
  };
}

describe("examples/kubernetes", () => {
  it("job.yaml and service.yaml → valid batch/v1 Job and v1 Service; the pods find rank 0 through the Service", async () => {
    const [job] = await documents("job.yaml");
    const [service] = await documents("service.yaml");
    expect(() => new Job(job as Loose).validate()).not.toThrow();
    expect(() => new Service(service as Loose).validate()).not.toThrow();
    const spec = job?.spec;
    expect(spec.completionMode).toBe("Indexed");
    expect(service?.spec.clusterIP).toBe("None");
    expect(spec.template.spec.subdomain).toBe(service?.metadata.name);
    expect(service?.spec.selector).toEqual(spec.template.metadata.labels);
    for (let index = 0; index < spec.completions; index++) {
      const found = rankFromEnv(podEnv(spec, index));
      expect(found).toMatchObject({ source: "kubernetes", rank: index, worldSize: spec.completions });
      expect(found?.masterAddr).toBe(`${job?.metadata.name}-0.${service?.metadata.name}`);
      expect(found?.masterPort).toBe(service?.spec.ports[0].port);
    }
    expect(spec.parallelism).toBe(spec.completions);
  });

  it("jobset.yaml → a JobSet whose replicated Job is a valid Indexed batch/v1 Job naming its first pod as rank 0", async () => {
    const [jobset] = await documents("jobset.yaml");
    expect(jobset).toMatchObject({ apiVersion: "jobset.x-k8s.io/v1alpha2", kind: "JobSet" });
    expect(jobset?.spec.network.enableDNSHostnames).toBe(true);
    const [replicated] = (jobset?.spec.replicatedJobs ?? []) as Record<string, Loose>[];
    const spec = replicated?.template.spec;
    // The JobSet CRD embeds a batch/v1 JobSpec: validated with the Job schema.
    const job = new Job({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "workers" },
      spec,
    } as Loose);
    expect(() => job.validate()).not.toThrow();
    expect(spec.completionMode).toBe("Indexed");
    const rank0 = rankFromEnv(podEnv(spec, 0));
    expect(rank0?.masterAddr).toBe(
      `${jobset?.metadata.name}-${replicated?.name}-0-0.${jobset?.metadata.name}`,
    );
    expect(rank0?.worldSize).toBe(spec.completions * replicated?.replicas);
  });

  it("a Job with a malformed field → the schema check rejects it (the check is live)", async () => {
    const [job] = await documents("job.yaml");
    const broken = { ...job, spec: { ...job?.spec, completions: "two" } };
    expect(() => new Job(broken as Loose).validate()).toThrow(/completions/);
  });
});
