import { applyDecorators, type Type } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';

/** Open Connectors' paging header: the token for the next page, absent on the last one. */
export const NEXT_PAGE_HEADER = 'Elements-Next-Page-Token';

/** OpenAPI for a page of `item`s: the array body and the next-page header (see NEXT_PAGE_HEADER). */
export function ApiPageResponse(item: Type<unknown>): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiOkResponse({
      type: [item],
      headers: {
        [NEXT_PAGE_HEADER]: {
          description: 'Pass as nextPage for the next page; absent on the last page',
          schema: { type: 'string' },
        },
      },
    }),
  );
}
