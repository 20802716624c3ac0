/** The secret every test instance uses; the database role passwords derive from it. */
export const TEST_SECRET_KEY = Buffer.from('tessera-test-secret-key-0123456789-abcdefghij')
