import { GenericContainer, Wait } from 'testcontainers';
import type { TestProject } from 'vitest/node';

/** The emulator's Docker image for the whole run: ready when /emulator/v1/health answers 200. */
export default async function setup(project: TestProject) {
  const container = await new GenericContainer('vsp-emulator') // docker build -t vsp-emulator .
    .withExposedPorts(23450, 23451)
    .withCommand(['--db', ':memory:', '--timing', 'instant'])
    .withWaitStrategy(Wait.forHttp('/emulator/v1/health', 23450).forStatusCode(200))
    .start();
  project.provide('vspUrl', `http://${container.getHost()}:${container.getMappedPort(23450)}`);
  return () => container.stop();
}
