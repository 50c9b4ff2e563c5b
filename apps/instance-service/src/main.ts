import 'reflect-metadata';
import { bootService } from '@pollcast/service-kit';
import { instanceServiceOptions } from './service';

bootService(instanceServiceOptions());
