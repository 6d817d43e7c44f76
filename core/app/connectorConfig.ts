/**
 * Kept for the IPC request schemas (electron/ipc/requestSchemas.ts), which import the connector forms from here:
 * connector settings live in core/connectors/connectorSettings.ts. Remove once the IPC table imports it there.
 */
export { describeConnectorKinds } from '../connectors/connectorSettings';
