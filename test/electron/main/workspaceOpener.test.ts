/**
 * The app's opening of the workspace keeps the audit log's anchor in the keychain-backed secret store
 * (secrets.safe.json, encrypted by safeStorage), where an edit of the data folder cannot forge it.
 */
import { vi, describe, expect, it } from 'vitest';
import { tempFolder } from '../../support/tempFolder';

/** A reversible stand-in for the OS keychain, as in safeStorageSecrets.test.ts. */
const keychain = {
  getSelectedStorageBackend: vi.fn(() => 'gnome_libsecret'),
  isAsyncEncryptionAvailable: vi.fn(async () => true),
  encryptStringAsync: vi.fn(async (text: string) => Buffer.from(`enc:${Buffer.from(text).toString('hex')}`)),
  decryptStringAsync: vi.fn(async (data: Buffer) => ({ shouldReEncrypt: false, result: Buffer.from(data.toString().slice(4), 'hex').toString() })),
};

vi.mock('electron', async () => ({ ...(await import('../fakeElectron')).fakeElectron, safeStorage: keychain }));

const { createWorkspaceOpener } = await import('../../../electron/main/workspaceOpener');
const { SafeStorageSecretStore } = await import('../../../electron/main/safeStorageSecrets');
const { EgressPolicy } = await import('../../../core/net/egress');
const { EgressDenialLog } = await import('../../../core/privacy/egressDenials');
const { AUDIT_ANCHOR_SECRET, readAuditLog } = await import('../../../core/privacy/auditLog');

describe('opening the workspace in the app', () => {
  it('keeps the audit anchor in the keychain-backed secret store as records are written', async () => {
    const dataDir = await tempFolder('vigil-opener-');
    const tray = { show: vi.fn(), setEngineProblem: vi.fn(), setWatchProblem: vi.fn(), connectorHealth: vi.fn() };
    const opener = createWorkspaceOpener({
      dataFolder: { dataDir, source: 'environment', defaultDir: dataDir, warning: null },
      egress: new EgressPolicy(),
      egressDenials: new EgressDenialLog(),
      tray: tray as never,
      onDeskEvent: () => undefined,
    });
    const workspace = await opener.open();
    try {
      await workspace.privacy.tagSnapshot('first', 'by hand');
      const { records } = await readAuditLog(dataDir);
      const kept = await new SafeStorageSecretStore(dataDir).get(AUDIT_ANCHOR_SECRET);
      expect(JSON.parse(kept!)).toMatchObject({ seq: records.at(-1)!.seq, hash: records.at(-1)!.hash });
      expect(keychain.encryptStringAsync).toHaveBeenCalled();
      expect(await workspace.privacy.verifyAudit()).toMatchObject({ ok: true });
    } finally {
      await workspace.close();
    }
  });
});
