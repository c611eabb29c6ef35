process.env.E2E_ADAPTER = 'fastify';
