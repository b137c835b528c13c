#!/usr/bin/env node
// The `lab` command. Run it as: npm run lab -- <command>
import { Command, Option } from 'commander';
import { registerAutograde, registerExport, registerGradeCommands, registerLabCommands } from './commands/labs.ts';
import { registerMock } from './commands/mock.ts';
import { registerRules } from './commands/rules.ts';
import { registerServe } from './commands/serve.ts';
import { registerStart } from './commands/start.ts';

// Each command loads its implementation when it runs: `lab --help` reads no broker client, mock or test runner.
const doctor = () => import('./commands/doctor.ts');
const servicesCli = () => import('./commands/services.ts');

const program = new Command('lab')
  .description('Integration Lab: lessons, labs, mock servers and grading for a course on systems integration.')
  .showHelpAfterError('(run with --help for usage)');

program
  .command('doctor')
  .description('check this machine: Node, Docker, RabbitMQ, Kafka, Java, Maven, free ports')
  .action(async () => (await doctor()).doctorCommand());

const services = program.command('services').description('bring the message brokers up or down (RabbitMQ, Kafka)');
services
  .command('up')
  .argument('[service...]', 'rabbitmq, kafka (default: both)')
  .description('make each broker reachable: use a running one, else Docker, else a local fallback')
  .addOption(
    new Option('--timeout <seconds>', 'how long to wait for a broker to become ready').default(90).argParser(Number),
  )
  .action(async (args: string[], opts: { timeout: number }) => (await servicesCli()).servicesUpCommand(args, opts));
services
  .command('down')
  .argument('[service...]', 'rabbitmq, kafka (default: both)')
  .description('stop the brokers that `services up` started (never one it did not start)')
  .action(async (args: string[]) => (await servicesCli()).servicesDownCommand(args));
services
  .command('status')
  .argument('[service...]', 'rabbitmq, kafka (default: both)')
  .description('show whether each broker answers and who manages it')
  .action(async (args: string[]) => (await servicesCli()).servicesStatusCommand(args));

registerLabCommands(program);
registerGradeCommands(program);
registerAutograde(program);
registerStart(program);
registerExport(program);
registerServe(program);
registerMock(program);
registerRules(program);

await program.parseAsync();
