import { config as loadDotEnv } from 'dotenv';
import { AppConfig, loadConfig } from './app-config';

/**
 * The one place that reads process.env. A `.env` file in the working directory is
 * loaded first when present; variables already set in the environment win.
 */
export function readProcessEnvironment(): Record<string, string | undefined> {
  loadDotEnv({ quiet: true });
  return { ...process.env };
}

export function loadConfigFromProcess(): AppConfig {
  return loadConfig(readProcessEnvironment());
}
