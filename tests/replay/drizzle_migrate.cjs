// Apply a Drizzle migrations folder with drizzle-orm's own migrator (node-postgres driver), so the
// interoperability test can compare it with the Python migrator.
// Usage: node drizzle_migrate.cjs URL FOLDER [MIGRATIONS_SCHEMA MIGRATIONS_TABLE]
// drizzle-orm and pg are resolved through NODE_PATH.
const { drizzle } = require("drizzle-orm/node-postgres");
const { migrate } = require("drizzle-orm/node-postgres/migrator");
const { Client } = require("pg");

async function main() {
  const [url, folder, migrationsSchema, migrationsTable] = process.argv.slice(2);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await migrate(drizzle(client), { migrationsFolder: folder, migrationsSchema, migrationsTable });
  } finally {
    await client.end();
  }
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
