/*
 * --target-org for every command: sf-plugins-core's org flags without their `defaultHelp`. That function makes a
 * command's help "dynamic" (hasDynamicHelp in the manifest): sf then imports the command module, and with it the
 * plugin's own @salesforce/core, sf-plugins-core and @oclif/core (about 2,000 modules), only to print the configured
 * default org beside the flag. Without it, `--help` is printed from oclif.manifest.json alone
 * (bench/startup.bench.ts measures both).
 */
import { Flags } from '@salesforce/sf-plugins-core';

export const requiredTargetOrg = () => Flags.requiredOrg({ defaultHelp: undefined });
export const optionalTargetOrg = () => Flags.optionalOrg({ defaultHelp: undefined });

/** The kinds of app `--type` selects (External Client Apps are read only where a command handles them). */
export const APP_TYPES = ['connected-app', 'external-client-app'] as const;

/** --type: one kind of app only; a name both kinds answer to is refused without it. */
export const appTypeFlag = (summary: string, description?: string) => Flags.option({ options: APP_TYPES, summary, description })();
