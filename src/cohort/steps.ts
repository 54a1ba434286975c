/**
 * The cohort's pipeline steps: `generate` (raw Coherent layout under `<workspace>/coherent`) and `convert`
 * (→ the dataset folder `ws.config.dataDir`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Step as PipelineStep } from '../step';
import type { WorkspaceCore as Workspace } from '../workspace-core';
import { CONVERSION_REPORT, convertCoherent } from './convert/convert';
import { generateCohort, generatorFingerprint, GENERATOR_VERSION, readGeneratorManifest } from './generate';

/** Converter output version; bump when the dataset layout or content changes for the same input. */
export const CONVERTER_VERSION = '1.0.0';

/**
 * The folder the `generate` step writes (`<workspace>/coherent`, holding `output/` and `ground-truth.json`).
 *
 * @param ws - the workspace
 * @returns the folder
 */
export function coherentDir(ws: Pick<Workspace, 'path'>): string {
  return ws.path('coherent');
}

/** The generator settings of a workspace: its preset, seed and (when set) a patient count and MRI size overriding the preset's. */
function settings(ws: Workspace): { preset: Workspace['config']['preset']; seed: number; patients?: number; mriSize?: readonly [number, number, number] } {
  const { patients, mriSize } = ws.config;
  return { preset: ws.config.preset, seed: ws.config.seed, ...(patients === undefined ? {} : { patients }), ...(mriSize === undefined ? {} : { mriSize }) };
}

/** `generate`: the synthetic Coherent cohort for the workspace's preset and seed (skipped when current). */
export const generateStep: PipelineStep = {
  name: 'generate',
  description: 'generate the synthetic Coherent cohort (raw layout: FHIR bundles, DNA CSVs, MRI DICOM, ground truth)',
  fingerprint: (ws) => Promise.resolve(`${generatorFingerprint(settings(ws)).fingerprint}|${coherentDir(ws)}`),
  run: async (ws) => {
    const out = coherentDir(ws);
    const { fingerprint } = generatorFingerprint(settings(ws));
    const manifest = readGeneratorManifest(out);
    const outputs = [path.join(out, 'output'), path.join(out, 'ground-truth.json')];
    if (manifest?.fingerprint === fingerprint && fs.existsSync(path.join(out, 'ground-truth.json'))) {
      return { counts: { patients: manifest.patients }, outputs };
    }
    const res = await generateCohort({ out, ...settings(ws), progress: ws.progress });
    return { counts: res.counts, outputs };
  },
};

/** `convert`: raw Coherent layout → the dataset folder the import steps read. */
export const convertStep: PipelineStep = {
  name: 'convert',
  description: 'convert the Coherent layout to the dataset folder (clinical NDJSON, per-patient VCF, ClinVar-format VCF, panel reference, DICOM by study)',
  fingerprint: (ws) => Promise.resolve(`${CONVERTER_VERSION}|${GENERATOR_VERSION}|${generatorFingerprint(settings(ws)).fingerprint}|${ws.config.dataDir}`),
  run: async (ws) => {
    const report = await convertCoherent({ from: coherentDir(ws), to: ws.config.dataDir, progress: ws.progress });
    const c = report.counts;
    return {
      counts: {
        patients: c.patients ?? 0,
        resources: c.resourcesOut ?? 0,
        vcfFiles: c.vcfFiles ?? 0,
        dicomStudies: c.dicomOut ?? 0,
        droppedRecords: (c.resourcesDropped ?? 0) + (c.dnaRowsDropped ?? 0) + (c.dicomDropped ?? 0),
      },
      outputs: [ws.config.dataDir, path.join(ws.config.dataDir, CONVERSION_REPORT)],
    };
  },
};
